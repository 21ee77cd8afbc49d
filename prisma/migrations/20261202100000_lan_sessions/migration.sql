-- LAN (issue 9): who sent each request over a session-based channel, and the session layer's own records.
ALTER TABLE "Exchange" ADD COLUMN "payload" TEXT;
ALTER TABLE "Exchange" ADD COLUMN "peer" TEXT;
ALTER TABLE "Exchange" ADD COLUMN "user" TEXT;
ALTER TABLE "Exchange" ADD COLUMN "privilege" TEXT;
ALTER TABLE "Exchange" ADD COLUMN "sessionId" INTEGER;
