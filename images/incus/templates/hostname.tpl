{{ config_get("user.tidepool.hostname", instance.name) }}
