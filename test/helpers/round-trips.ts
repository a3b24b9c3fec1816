/** The database round trips an answer reports in its `Server-Timing` (`db;dur=…;desc="N queries"`), 0 if none. */
export function roundTrips(response: Response): number {
  const metric = response.headers.get('Server-Timing')?.match(/(?:^|,\s*)db;[^,]*desc="(\d+) quer/)
  return metric ? Number(metric[1]) : 0
}
