// Command khien is the single binary of Khiên: web server, API, scanner, agent and tools.
//
// The go:debug settings let the scanner complete handshakes with weak servers
// in order to report them: RSA keys under 1024 bits and SHA-1 signatures.
//
//go:debug rsa1024min=0
//go:debug tlssha1=1
package main

import (
	"os"

	"github.com/khien/khien/internal/cli"
)

func main() {
	os.Exit(cli.Execute())
}
