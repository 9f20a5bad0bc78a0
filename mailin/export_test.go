package mailin

// StoreOneByOne makes in store every message with the one-at-a-time path
// (storeOne), the reference the batched path is compared with.
func StoreOneByOne(in *Ingester) { in.oneByOne = true }
