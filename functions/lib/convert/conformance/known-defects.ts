/**
 * Corpus and fuzz cases that fail today because of a defect of issue 11 being fixed on another branch: case id
 * → the defect's number in the list. Each runs as `test.failing`, so it passes while the defect is
 * there and turns red the day the fix lands: then delete its entry here (the case becomes a normal test).
 */
export const KNOWN_DEFECTS: Readonly<Record<string, { defect: number; what: string }>> = {
  // csv-spectrum (csv-spectrum.test.ts)
  "csv:newlines_crlf": { defect: 7, what: "CRLF inside a quoted field becomes LF" },
  // The differential fuzz's variants (differential.test.ts) and the differences (differences.test.ts)
  "fuzz:csv-crlf-in-quoted-field": { defect: 7, what: "CRLF inside a quoted field becomes LF" },
  "fuzz:csv-one-column-blank-records": {
    defect: 12,
    what: "an empty record of a one-column CSV is dropped uncounted",
  },
  "fuzz:csv-years-0000-0099": { defect: 5, what: "years 0000-0099 become 1900-1999" },
  "fuzz:json-years-0000-0099": { defect: 5, what: "years 0000-0099 become 1900-1999" },
  "fuzz:csv-gzip-one-byte-chunks": {
    defect: 9,
    what: "gzip is not detected when the first chunk has 1 byte",
  },
  "difference:zone-offsets-out-of-range#converter": { defect: 6, what: "zone offsets are not validated" },
  // JSONTestSuite (json-test-suite.test.ts)
  "json:i_number_huge_exp#member": {
    defect: 8,
    what: "a nested number past the double range into a string column becomes null",
  },
  "json:i_number_neg_int_huge_exp#member": {
    defect: 8,
    what: "a nested number past the double range into a string column becomes null",
  },
  "json:i_number_pos_double_huge_exp#member": {
    defect: 8,
    what: "a nested number past the double range into a string column becomes null",
  },
  "json:i_number_real_neg_overflow#member": {
    defect: 8,
    what: "a nested number past the double range into a string column becomes null",
  },
  "json:i_number_real_pos_overflow#member": {
    defect: 8,
    what: "a nested number past the double range into a string column becomes null",
  },
  "json:y_number#text": { defect: 8, what: "a JSON number into a string column goes through a double" },
  "json:y_number_0e+1#text": { defect: 8, what: "a JSON number into a string column goes through a double" },
  "json:y_number_0e1#text": { defect: 8, what: "a JSON number into a string column goes through a double" },
  "json:y_number_int_with_exp#text": {
    defect: 8,
    what: "a JSON number into a string column goes through a double",
  },
  "json:y_number_minus_zero#member": { defect: 8, what: "a nested -0 into a string column loses its sign" },
  "json:y_number_minus_zero#text": {
    defect: 8,
    what: "a JSON number into a string column goes through a double",
  },
  "json:y_number_negative_zero#member": {
    defect: 8,
    what: "a nested -0 into a string column loses its sign",
  },
  "json:y_number_negative_zero#text": {
    defect: 8,
    what: "a JSON number into a string column goes through a double",
  },
  "json:y_number_real_capital_e#text": {
    defect: 8,
    what: "a JSON number into a string column goes through a double",
  },
  "json:y_number_real_capital_e_neg_exp#text": {
    defect: 8,
    what: "a JSON number into a string column goes through a double",
  },
  "json:y_number_real_capital_e_pos_exp#text": {
    defect: 8,
    what: "a JSON number into a string column goes through a double",
  },
  "json:y_number_real_exponent#text": {
    defect: 8,
    what: "a JSON number into a string column goes through a double",
  },
  "json:y_number_real_fraction_exponent#text": {
    defect: 8,
    what: "a JSON number into a string column goes through a double",
  },
  "json:y_number_real_neg_exp#text": {
    defect: 8,
    what: "a JSON number into a string column goes through a double",
  },
  "json:y_number_real_pos_exponent#text": {
    defect: 8,
    what: "a JSON number into a string column goes through a double",
  },
  "json:y_object_extreme_numbers": {
    defect: 8,
    what: "a JSON number into a string column goes through a double",
  },
};

/**
 * Failures found by these suites that issue 11 does not list: case id → what goes wrong, with its minimal
 * reproduction in findings.test.ts. Run as `test.failing` like the known defects until an issue takes them.
 */
export const NEW_FINDINGS: Readonly<Record<string, string>> = {
  "finding:json-unicode-whitespace-line":
    "a JSON line of only non-JSON whitespace (U+00A0, U+FEFF, U+2028, U+3000, \\f, \\v) is dropped uncounted",
};

/** `test`, or `test.failing` with the defect or finding named, for a case id. */
export function caseTest(id: string): { name: string; run: jest.It } {
  const known = KNOWN_DEFECTS[id];
  if (known)
    return { name: `${id} [known: issue 11 defect ${known.defect}, ${known.what}]`, run: test.failing };
  const finding = NEW_FINDINGS[id];
  if (finding) return { name: `${id} [new finding: ${finding}]`, run: test.failing };
  return { name: id, run: test };
}
