package auth

// CheckPolicy exposes the policy check to the tests.
var CheckPolicy = checkPolicy
