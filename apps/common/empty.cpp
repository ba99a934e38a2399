// Keeps zkd_app_common non-empty before any shared app code exists.
