/// The version both executables report with `--version`.
public enum DVPNVersion {
    public static let string = "0.1.0-dev"
}
