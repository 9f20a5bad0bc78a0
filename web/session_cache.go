package web

import (
	"sync"
	"time"

	"github.com/basis-crm/basis/crm"
)

// sessionCacheTTL is how long a session lookup is reused without asking the
// database again. Changes made through this server (sign-out, a user's role,
// language or disabling) drop the cached sessions at once; changes made
// elsewhere (`basis user disable`, another server) take effect within this
// time.
const sessionCacheTTL = time.Second

// maxCachedSessions bounds the cache; past it, the cache starts over.
const maxCachedSessions = 10000

// sessionCache remembers recent session lookups by token hash, so that a
// page load costs no session query when the same user loaded one within
// sessionCacheTTL.
type sessionCache struct {
	mu      sync.Mutex
	entries map[[32]byte]cachedSession
}

type cachedSession struct {
	user     crm.User
	until    time.Time // when this entry must be looked up again
	sessionT time.Time // when the session itself expires
}

func newSessionCache() *sessionCache {
	return &sessionCache{entries: map[[32]byte]cachedSession{}}
}

// get returns the user of a session looked up less than sessionCacheTTL ago
// and not expired.
func (c *sessionCache) get(key [32]byte, now time.Time) (crm.User, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || !now.Before(e.until) || !now.Before(e.sessionT) {
		return crm.User{}, false
	}
	return e.user, true
}

// put remembers a lookup made at now of a session expiring at expires.
func (c *sessionCache) put(key [32]byte, u crm.User, expires, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= maxCachedSessions {
		clear(c.entries)
	}
	c.entries[key] = cachedSession{user: u, until: now.Add(sessionCacheTTL), sessionT: expires}
}

// drop forgets one session (sign-out).
func (c *sessionCache) drop(key [32]byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, key)
}

// dropUser forgets every session of a user whose role, language or status
// changed.
func (c *sessionCache) dropUser(userID int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.entries {
		if e.user.ID == userID {
			delete(c.entries, k)
		}
	}
}
