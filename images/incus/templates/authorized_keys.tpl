{{ config_get("user.tidepool.ssh_authorized_keys", "") }}
