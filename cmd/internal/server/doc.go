// Package server builds the service's HTTP engine: the Gin settings Twilio needs, the access
// log, request metrics and panic guard around every route, health and readiness, /metrics, and
// the Twilio and business API edges over one store. `optin serve`, `optin dev` and optinbench
// all serve this engine, so what the benchmark measures is what the service runs.
package server
