"""The platform's own work: telling patients (notify, push_outbox, devices), hospital clients
and staff (hospitals, admin, staff_tools), and operator tasks (key_rotation, demo_seed,
demo_records)."""
