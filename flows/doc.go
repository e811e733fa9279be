// Package flows decides what the service says and what it records. It holds the pure state
// machines of the IVR menu (IVRStep) and of SMS and WhatsApp keywords (HandleMessage), the
// built-in disclosure texts in English and Spanish with their per-business overrides, and the
// lint that refuses a business whose disclosures miss anything the policy and the law require
// (LintBusiness, LintDisclosure).
//
// It imports only the standard library, golang.org/x/text and the consent types: no HTTP, no
// SQL and no clock. Time comes in as an argument; the channels render the values it returns
// as TwiML and the store records the decisions.
package flows
