-- CreateTable
CREATE TABLE "SelEntry" (
    "recordId" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "position" INTEGER NOT NULL,
    "data" BLOB NOT NULL
);

-- CreateTable
CREATE TABLE "FruArea" (
    "deviceId" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "data" BLOB NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "SensorThreshold" (
    "lun" INTEGER NOT NULL,
    "number" INTEGER NOT NULL,
    "lnc" INTEGER,
    "lc" INTEGER,
    "lnr" INTEGER,
    "unc" INTEGER,
    "uc" INTEGER,
    "unr" INTEGER,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("lun", "number")
);

-- CreateTable
CREATE TABLE "BmcSetting" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "value" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "SelEntry_position_key" ON "SelEntry"("position");

