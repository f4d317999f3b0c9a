# source: https://github.com/fajmayor/azure-resources-terraform/blob/cfb91a96c9fdab87e55a8ed953e5401c598b27ca/autoscale.tf
# repo fajmayor/azure-resources-terraform, path autoscale.tf, commit cfb91a96c9fdab87e55a8ed953e5401c598b27ca
resource "azurerm_monitor_autoscale_setting" "autoscale" {
  name                = "tfa-autoscale"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  target_resource_id  = azurerm_orchestrated_virtual_machine_scale_set.tfa-vmss.id
  enabled             = true

  profile {
    name = "autoscale"
    capacity {
      default = var.vmss_capacity.default
      minimum = var.vmss_capacity.minimum
      maximum = var.vmss_capacity.maximum
    }

    // Scale out when CPU > 80%
    rule {
      metric_trigger {
        metric_name        = "Percentage CPU"
        metric_resource_id = azurerm_orchestrated_virtual_machine_scale_set.tfa-vmss.id
        time_grain         = "PT1M"
        statistic          = "Average"
        time_window        = "PT5M"
        time_aggregation   = "Average"
        operator           = "GreaterThan"
        threshold          = 80
      }
      scale_action {
        direction = "Increase"
        type      = "ChangeCount"
        value     = "1"
        cooldown  = "PT5M"
      }
    }
    // Scale in when CPU < 10%
    rule {
      metric_trigger {
        metric_name        = "Percentage CPU"
        metric_resource_id = azurerm_orchestrated_virtual_machine_scale_set.tfa-vmss.id
        time_grain         = "PT1M"
        statistic          = "Average"
        time_window        = "PT10M"
        time_aggregation   = "Average"
        operator           = "LessThan"
        threshold          = 10
      }
      scale_action {
        direction = "Decrease"
        type      = "ChangeCount"
        value     = "1"
        cooldown  = "PT10M"
      }
    }
  }
}
