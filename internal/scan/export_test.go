package scan

// SetUDPPorts sends the UDP probes of a test scan to its own services.
func SetUDPPorts(c *Config, ports map[string]int) { c.udpPorts = ports }
