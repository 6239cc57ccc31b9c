package report

// openIn is the condition that a finding (alias f) is open (finding.OpenStatuses), written as
// the partial index findings_open_due is, so that the index serves it; TestOpenIn keeps the
// two lists the same.
const openIn = "f.status IN ('new', 'reopened', 'confirmed', 'in_remediation', 'fixed')"
