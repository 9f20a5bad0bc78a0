package main

import "runtime/debug"

// lessGC lets the heap grow to five times what is live before collecting
// (GOGC=400), unless GOGC says otherwise. The sender keeps little alive (a
// few hundred messages of ~4 KB in flight) but allocates every message
// several times over (rendering, encoding, the evidence batch): with the
// default the collector took about a tenth of its CPU. basis serve too: a
// page allocates a lot and keeps nothing, and the collector took a fifth
// of the server's CPU under load (its live heap is a few tens of MB). basis
// ingest too: parsing allocates each message several times over and keeps
// a batch alive; its soft memory limit (softMemoryLimit) still bounds the
// heap, so a 40 MB message makes the collector work harder, not the RSS
// grow.
func lessGC(env *cli) {
	if env.getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
}

// softMemoryLimit asks the garbage collector to keep the heap near 100 MB
// while ingesting (large messages are read, parsed and stored one at a
// time, so little is live at once), unless GOMEMLIMIT says otherwise.
func softMemoryLimit(env *cli) {
	if env.getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(100 << 20)
	}
}
