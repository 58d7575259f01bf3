import { quartzFromCron } from "./quartz";

describe("quartzFromCron", () => {
  it.each([
    ["30 2 * * *", "0 30 2 * * ?"],
    ["0 * * * *", "0 0 * * * ?"],
    ["*/15 6-18 * * *", "0 */15 6-18 * * ?"],
    ["0 4 1 * *", "0 0 4 1 * ?"],
    ["0 4 * * 1-5", "0 0 4 ? * 2-6"],
    ["0 4 * * 0,6", "0 0 4 ? * 1,7"],
    ["0 4 * * 7", "0 0 4 ? * 1"],
    ["0 4 * * 5-7", "0 0 4 ? * 6-7,1"],
    ["0 4 * * 0-7", "0 0 4 ? * 1-7"],
    ["0 4 * * sun", "0 0 4 ? * SUN"],
    ["0 4 * * */2", "0 0 4 ? * 1/2"],
    ["0 0 ? JAN *", "0 0 0 * JAN ?"],
  ])("converts %s to %s", (cron, quartz) => {
    expect(quartzFromCron(cron)).toBe(quartz);
  });

  it("fails if both day fields are restricted, which Quartz cannot express", () => {
    expect(() => quartzFromCron("0 4 1 * 1")).toThrow(
      'cron "0 4 1 * 1" restricts both day-of-month and day-of-week; Quartz (Databricks) can only restrict one',
    );
  });

  it("fails if the expression does not have five fields", () => {
    expect(() => quartzFromCron("0 0 4 * * ?")).toThrow("must have five fields");
  });

  it("fails if a day of week is out of range", () => {
    expect(() => quartzFromCron("0 4 * * 8")).toThrow("day of week 8 is out of range 0-7");
  });
});
