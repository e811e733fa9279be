// Package spool keeps the opt-outs a replica took while PostgreSQL did not answer (refused,
// hung, or answered too late) in an fsync'd local file, and replays them into the ledger, in
// the order they were taken and exactly once, as soon as the database answers again, also
// after the process died.
//
// An opt-out is answered as recorded only once its entry is on disk. Replaying it commits the
// same write with the same idempotency keys the first attempt carried, so an attempt whose
// commit did commit although its answer never arrived, a second replay after a crash between
// commit and acknowledgement, and a redelivery by Twilio all record nothing twice.
//
// The file is a sequence of framed records: an entry when one is taken, a done mark when it
// was recorded. Each record carries a magic number, its length and a CRC-32C of its content, so
// a torn tail (a crash during a write) or a damaged stretch is found on open, reported, kept
// aside for inspection, and skipped without losing the intact records before or after it.
//
// One process at a time owns a spool directory (an advisory lock on it); each replica needs a
// directory of its own that survives the process, such as a volume.
package spool
