-- Console history (issue 12): the host's serial console bytes, batched (server/console/console-log-writer.ts).
-- CreateTable
CREATE TABLE "ConsoleChunk" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "receivedAt" REAL NOT NULL,
    "direction" TEXT NOT NULL,
    "source" TEXT,
    "data" BLOB NOT NULL,
    "text" TEXT NOT NULL
);

-- CreateIndex
CREATE INDEX "ConsoleChunk_receivedAt_idx" ON "ConsoleChunk"("receivedAt");
