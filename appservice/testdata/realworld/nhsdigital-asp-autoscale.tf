# source: https://github.com/NHSDigital/dtos-cohort-manager/blob/2c51cf1c7021e015bfe7e3395f0f25d4329d3a1f/infrastructure/modules/app-service-plan/autoscale.tf
# repo NHSDigital/dtos-cohort-manager, path infrastructure/modules/app-service-plan/autoscale.tf, commit 2c51cf1c7021e015bfe7e3395f0f25d4329d3a1f

resource "azurerm_monitor_autoscale_setting" "asp_autoscale" {
  name                = "${var.names.app-service}-autoscale"
  resource_group_name = var.resource_group_name
  location            = var.location
  target_resource_id  = azurerm_service_plan.appserviceplan.id

  profile {
    name = "${var.names.app-service}-MemoryPercentage"

    capacity {
      minimum = "1"
      maximum = "5"
      default = "1"
    }

    rule {
      metric_trigger {
        metric_name        = "MemoryPercentage"
        metric_resource_id = azurerm_service_plan.appserviceplan.id
        time_grain         = "PT1M"
        statistic          = "Average"
        time_window        = "PT10M"
        time_aggregation   = "Average"
        operator           = "GreaterThan"
        threshold          = 70
      }

      scale_action {
        direction = "Increase"
        type      = "ChangeCount"
        value     = "1"
        cooldown  = "PT5M"
      }
    }

    rule {
      metric_trigger {
        metric_name        = "MemoryPercentage"
        metric_resource_id = azurerm_service_plan.appserviceplan.id
        time_grain         = "PT1M"
        statistic          = "Average"
        time_window        = "PT10M"
        time_aggregation   = "Average"
        operator           = "LessThan"
        threshold          = 25
      }

      scale_action {
        direction = "Decrease"
        type      = "ChangeCount"
        value     = "1"
        cooldown  = "PT5M"
      }
    }
  }
}
