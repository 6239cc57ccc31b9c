// Command khien is the single binary of Khiên: web server, API, scanner, agent and tools.
package main

//go:debug rsa1024min=0,tlssha1=1

import (
	"os"

	"github.com/khien/khien/internal/cli"
)

func main() {
	os.Exit(cli.Execute())
}
