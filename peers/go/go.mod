module closepath/peer

go 1.19
