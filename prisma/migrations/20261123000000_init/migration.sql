-- CreateTable
CREATE TABLE "Exchange" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "busId" TEXT NOT NULL,
    "busKind" TEXT NOT NULL,
    "origin" TEXT NOT NULL,
    "seq" INTEGER,
    "netFn" INTEGER,
    "lun" INTEGER,
    "cmd" INTEGER,
    "request" BLOB NOT NULL,
    "cc" INTEGER,
    "response" BLOB,
    "handlerId" TEXT,
    "status" TEXT NOT NULL,
    "receivedAt" REAL NOT NULL,
    "answeredAt" REAL,
    "latencyUs" INTEGER,
    "note" TEXT,
    "frame" BLOB,
    "relatedId" INTEGER
);

-- CreateTable
CREATE TABLE "HandlerState" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "enabled" BOOLEAN NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "Exchange_receivedAt_idx" ON "Exchange"("receivedAt");

-- CreateIndex
CREATE INDEX "Exchange_netFn_cmd_idx" ON "Exchange"("netFn", "cmd");

