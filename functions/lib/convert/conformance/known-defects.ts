/**
 * Corpus and fuzz cases that fail today because of a defect of issue 11 being fixed on another branch: case id
 * → the defect's number in the list. Each runs as `test.failing`, so it passes while the defect is
 * there and turns red the day the fix lands: then delete its entry here (the case becomes a normal test).
 */
export const KNOWN_DEFECTS: Readonly<Record<string, { defect: number; what: string }>> = {};

/**
 * Failures found by these suites that issue 11 does not list: case id → what goes wrong, with its minimal
 * reproduction in findings.test.ts. Run as `test.failing` like the known defects until an issue takes them.
 */
export const NEW_FINDINGS: Readonly<Record<string, string>> = {};

/** `test`, or `test.failing` with the defect or finding named, for a case id. */
export function caseTest(id: string): { name: string; run: jest.It } {
  const known = KNOWN_DEFECTS[id];
  if (known)
    return { name: `${id} [known: issue 11 defect ${known.defect}, ${known.what}]`, run: test.failing };
  const finding = NEW_FINDINGS[id];
  if (finding) return { name: `${id} [new finding: ${finding}]`, run: test.failing };
  return { name: id, run: test };
}
