import { awsCronExpression } from "./schedule-expression";

describe("awsCronExpression", () => {
  it.each([
    ["30 2 * * *", "cron(30 2 * * ? *)"],
    ["0 4 * * *", "cron(0 4 * * ? *)"],
    ["0 * * * *", "cron(0 * * * ? *)"],
    ["*/15 8-18 * * 1-5", "cron(*/15 8-18 ? * 2-6 *)"],
    ["0 6 * * 0", "cron(0 6 ? * 1 *)"],
    ["0 6 * * 7", "cron(0 6 ? * 1 *)"],
    ["0 6 * * 0,3,6", "cron(0 6 ? * 1,4,7 *)"],
    ["0 6 * * mon-fri", "cron(0 6 ? * MON-FRI *)"],
    ["0 0 1 * *", "cron(0 0 1 * ? *)"],
    ["0 0 1,15 1-6 *", "cron(0 0 1,15 1-6 ? *)"],
  ])("renders %s as %s", (cron, expected) => {
    expect(awsCronExpression(cron)).toBe(expected);
  });

  it("fails if both day fields are restricted", () => {
    expect(() => awsCronExpression("0 0 1 * 1")).toThrow(
      'cron "0 0 1 * 1": EventBridge cannot restrict both day-of-month and day-of-week; use * in one of them',
    );
  });

  it("fails if the expression does not have five fields", () => {
    expect(() => awsCronExpression("0 0 * *")).toThrow('cron "0 0 * *": expected five fields');
  });

  it("fails if a weekday is out of range", () => {
    expect(() => awsCronExpression("0 0 * * 8")).toThrow("cron day-of-week 8: must be 0-7");
  });
});
