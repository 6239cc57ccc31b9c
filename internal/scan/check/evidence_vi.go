package check

var evidenceVI = map[string]string{}
