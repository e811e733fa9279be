// Package consent owns the domain of the service: businesses and their message categories,
// the events of the consent ledger, the current consent state they project to, the disclosures
// people answered, phone-number normalisation, the business file format, the send decision
// (DecideSend) and the canonical records and hashes of the ledger's Merkle log.
//
// It does no I/O: no HTTP, no SQL, no clock. Every other package speaks in these types;
// the store persists them, the flows decide them, the edges translate them.
package consent
