// Package architecture has no code: its test enforces the package layout, one package per
// capability, with the rule table in architecture_test.go. A new package fails that test until
// it is placed in a layer there.
package architecture
