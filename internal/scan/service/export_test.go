package service

// UsualHint is the protocol and TLS expected on port, for tests that put a
// service on its usual port and on another.
func UsualHint(port int) (string, bool) { return hints[port], tlsPorts[port] }
