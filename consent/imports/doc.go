// Package imports brings consent that people gave before the service existed into the
// ledger: it reads import files (NDJSON, one ImportRow of DESIGN §5 a line, or CSV with a
// header), checks each row against the business (phone, category, status, channel, time,
// disclosure lint, key), turns the good ones into ledger events with the reason import, and
// hands them to a Sink in batches. Bad rows are reported by line in plain words; the good rows
// around them are kept.
//
// It does no I/O of its own: the file comes in as an io.Reader, the store as a Sink, the
// time as an argument. Both the business API and the optin command use it, so a file means
// the same through either.
package imports
