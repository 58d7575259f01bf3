import fc from "fast-check";
import { awsResourceName } from "./naming";

describe("awsResourceName", () => {
  it("joins parts lower-case and dashed", () => {
    expect(awsResourceName(["Brewery", "dev", "control_record"], 64)).toBe("brewery-dev-control-record");
  });

  it("starts with a letter", () => {
    expect(awsResourceName(["1st", "dev"], 64)).toBe("r-1st-dev");
    expect(awsResourceName(["", "--"], 64)).toMatch(/^r/);
  });

  it("shortens long names keeping a stable hash, and keeps two long names distinct", () => {
    const long = ["brewery", "a-very-long-environment-name-for-testing", "control-record-function"];
    const a = awsResourceName(long, 64);
    expect(a).toHaveLength(64);
    expect(a).toBe(awsResourceName(long, 64));
    expect(a).not.toBe(awsResourceName([...long.slice(0, 2), "control-record-functioN2"], 64));
    expect(a).toMatch(/-[0-9a-f]{8}$/);
  });

  it("fails if maxLength is too small to hold a hash", () => {
    expect(() => awsResourceName(["a"], 8)).toThrow(
      "awsResourceName: maxLength must be a whole number of at least 12, got 8",
    );
  });

  it("always obeys the rules whatever the parts", () => {
    fc.assert(
      fc.property(
        fc.array(fc.string(), { maxLength: 6 }),
        fc.integer({ min: 12, max: 255 }),
        (parts, max) => {
          const name = awsResourceName(parts, max);
          expect(name.length).toBeLessThanOrEqual(max);
          expect(name.length).toBeGreaterThanOrEqual(3);
          expect(name).toMatch(/^[a-z][a-z0-9-]*$/);
        },
      ),
    );
  });
});
