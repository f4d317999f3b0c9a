# source: https://github.com/VolkerWessels/terraform-azurerm-caf/blob/8a1ed7b638697544e939078c34ca01c6806d306f/examples/monitoring/102-monitor-autoscale-setting/configuration.tfvars
# repo VolkerWessels/terraform-azurerm-caf, path examples/monitoring/102-monitor-autoscale-setting/configuration.tfvars, commit 8a1ed7b638697544e939078c34ca01c6806d306f (excerpt: recurrence and notification omitted)
monitor_autoscale_settings = {
  profile1 = {
    name = "profile1"

    capacity = {
      default = 1
      minimum = 1
      maximum = 3
    }

    rule = {
      metric_trigger = {
        metric_name        = "Percentage CPU"
        metric_resource_id = "id"
        time_grain         = "PT1M"
        statistic          = "Average"
        time_window        = "PT5M"
        time_aggregation   = "Average"
        operator           = "GreaterThan"
        threshold          = 90
      }
      scale_action = {
        direction = "Increase"
        type      = "ChangeCount"
        value     = "2"
        cooldown  = "PT1M"
      }
    }
  }
}
