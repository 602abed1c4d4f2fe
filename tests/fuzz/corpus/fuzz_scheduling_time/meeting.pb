
m-1planning"	cancelled*2026-12-01T09:00:00+00:0022026-12-01T10:00:00+00:00:home,
line;twoB>
p1
key_worker"accepted*A; Name, "quoted"2a@example.orgHRm-1@fuzz.keyworker