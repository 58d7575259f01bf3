import { schedulerCron } from "./scheduler-cron";

describe("schedulerCron", () => {
  it.each([
    ["0 * * * *", "cron(0 * * * ? *)"],
    ["0 2 * * *", "cron(0 2 * * ? *)"],
    ["30 2 1 * *", "cron(30 2 1 * ? *)"],
    ["*/15 8-18 * * *", "cron(*/15 8-18 * * ? *)"],
    ["0 6 * * 1-5", "cron(0 6 ? * 2-6 *)"],
    ["0 6 * * 0", "cron(0 6 ? * 1 *)"],
    ["0 6 * * 7", "cron(0 6 ? * 1 *)"],
    ["0 6 * * 0,6", "cron(0 6 ? * 1,7 *)"],
    ["0 6 * * MON-FRI", "cron(0 6 ? * MON-FRI *)"],
    ["0 6 ? * *", "cron(0 6 * * ? *)"],
    ["  0   3 15 1,7 *  ", "cron(0 3 15 1,7 ? *)"],
  ])("renders %s as %s", (cron, expected) => {
    expect(schedulerCron(cron)).toBe(expected);
  });

  it("fails if both day fields are restricted", () => {
    expect(() => schedulerCron("0 2 1 * 1")).toThrow(
      'cron "0 2 1 * 1": EventBridge Scheduler cannot restrict both day-of-month and day-of-week; use * for one of them',
    );
  });

  it("fails if the cron does not have five fields", () => {
    expect(() => schedulerCron("0 2 * *")).toThrow(
      'cron "0 2 * *": expected 5 fields (minute hour day-of-month month day-of-week), got 4',
    );
  });
});
