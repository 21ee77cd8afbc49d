-- AlterTable: a sign-out on any node marks the session; the node it was signed in on ends it too.
ALTER TABLE "FleetSession" ADD COLUMN "endedAt" TIMESTAMP(3);
