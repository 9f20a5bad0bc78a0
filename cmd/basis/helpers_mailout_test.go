package main

import "github.com/lib/pq"

func pqStrings(v []string) any { return pq.Array(v) }

func pqBytes(v [][]byte) any { return pq.ByteaArray(v) }
