//go:debug rsa1024min=0
//go:debug tlssha1=1

// Command khien is the single binary of Khiên: web server, API, scanner, agent and tools.
package main

import (
	"os"

	"github.com/khien/khien/internal/cli"
)

func main() {
	os.Exit(cli.Execute())
}
