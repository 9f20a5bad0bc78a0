package mailin

import (
	"sync"
	"time"
)

// StoreOneByOne makes in store every message with the one-at-a-time path
// (storeOne), the reference the batched path is compared with.
func StoreOneByOne(in *Ingester) { in.oneByOne = true }

// SetVectorWait sets how long in's transactions wait for a full-text
// vector computed ahead before computing it themselves.
func SetVectorWait(in *Ingester, d time.Duration) { in.vectorWait = d }

// HoldVectors keeps in's vectorizer from computing anything until release
// is called, as a vectorizer that cannot keep up would.
func HoldVectors(in *Ingester) (release func()) {
	hold := make(chan struct{})
	in.vectorHold = hold
	var once sync.Once
	return func() { once.Do(func() { close(hold) }) }
}
