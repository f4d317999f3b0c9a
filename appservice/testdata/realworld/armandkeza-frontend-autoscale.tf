# source: https://github.com/Armandkeza/N-tier-Azure-Web-APP/blob/bbbc5188c6356b3c4fd996797b91db13fed72a94/autoscale.tf
# repo Armandkeza/N-tier-Azure-Web-APP, path autoscale.tf, commit bbbc5188c6356b3c4fd996797b91db13fed72a94
resource "azurerm_monitor_autoscale_setting" "Frontend-autoscale" {
  name                = "Frontend-autoscale"
   resource_group_name = azurerm_resource_group.Webapp.name
   location            = azurerm_resource_group.Webapp.location
  target_resource_id  = azurerm_linux_virtual_machine_scale_set.Front-vmss.id

  profile {
    name = "defaultProfile"

    capacity {
      default = 2
      minimum = 2
      maximum = 6
    }

    rule {
      metric_trigger {
        metric_name        = "Percentage CPU"
        metric_resource_id = azurerm_linux_virtual_machine_scale_set.Front-vmss.id
        time_grain         = "PT2M"
        statistic          = "Average"
        time_window        = "PT5M"
        time_aggregation   = "Average"
        operator           = "GreaterThan"
        threshold          = 75
        metric_namespace   = "microsoft.compute/virtualmachinescalesets"
    
      }

      scale_action {
        direction = "Increase"
        type      = "ChangeCount"
        value     = "1"
        cooldown  = "PT3M"
      }
    }

    rule {
      metric_trigger {
        metric_name        = "Percentage CPU"
        metric_resource_id = azurerm_linux_virtual_machine_scale_set.Front-vmss.id
        time_grain         = "PT1M"
        statistic          = "Average"
        time_window        = "PT5M"
        time_aggregation   = "Average"
        operator           = "LessThan"
        threshold          = 25
      }

      scale_action {
        direction = "Decrease"
        type      = "ChangeCount"
        value     = "1"
        cooldown  = "PT1M"
      }
    }
  }

 

  notification {
    email {
      send_to_subscription_administrator    = true
      send_to_subscription_co_administrator = true
    }
  }
}
