/**
 * Random and mutated bt input through the bus, the router and the BMC's handlers: see
 * server/testing/fuzz/bus-suite.ts for the invariants, bench/fuzz.bench.ts for a million.
 */
import { fuzzBusSuite } from "../../testing/fuzz/bus-suite";

fuzzBusSuite("bt");
