package httpx

import "net/http"

// BaseURL is the server's address as the client reached it ("https://host"),
// for what a page hands out to run elsewhere (an agent's command line).
// Behind a trusted proxy r.TLS reflects X-Forwarded-Proto.
func BaseURL(r *http.Request) string {
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}
