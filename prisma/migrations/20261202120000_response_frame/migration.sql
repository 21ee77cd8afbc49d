-- pcap-wire export (issue 10): the response datagram as the LAN bus sent it.
ALTER TABLE "Exchange" ADD COLUMN "responseFrame" BLOB;
