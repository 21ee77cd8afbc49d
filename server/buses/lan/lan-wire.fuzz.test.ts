/**
 * Random and mutated datagrams (pre-session, mid-handshake, in an RMCP+ session) through the
 * LAN bus in-process, the router and the BMC's handlers, at volume: see
 * server/testing/fuzz/bus-suite.ts. lan-bus.fuzz.test.ts covers the same over real UDP.
 */
import { fuzzBusSuite } from "../../testing/fuzz/bus-suite";

fuzzBusSuite("lan");
