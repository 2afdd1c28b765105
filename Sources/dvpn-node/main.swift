print("dvpn-node")
