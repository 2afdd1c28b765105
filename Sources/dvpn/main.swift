print("dvpn")
