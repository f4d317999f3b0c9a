# source: https://github.com/M-N-Karthik/GitHub_Actions_Terraform_AZ_project/blob/59904112bb95bbcc4aaf511e95745722abd20077/autoscale.tf
# repo M-N-Karthik/GitHub_Actions_Terraform_AZ_project, path autoscale.tf, commit 59904112bb95bbcc4aaf511e95745722abd20077
resource "azurerm_monitor_autoscale_setting" "autoscale" {
  name                = "autoscale"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  target_resource_id  = azurerm_orchestrated_virtual_machine_scale_set.vmss_terraform.id
  enabled             = true

  profile {
    name = "autoscale"

    capacity {
      default = 3
      minimum = 1
      maximum = 10
    }

    # Scale In Rule (CPU < 10%)
    rule {
      metric_trigger {
        metric_name        = "Percentage CPU"
        metric_resource_id = azurerm_orchestrated_virtual_machine_scale_set.vmss_terraform.id
        time_grain         = "PT1M"
        statistic          = "Average"
        time_window        = "PT2M"
        time_aggregation   = "Average"
        operator           = "LessThan"
        threshold          = 10
      }

      scale_action {
        direction = "Decrease"
        type      = "ChangeCount"
        value     = "1"
        cooldown  = "PT2M"
      }
    }

    # Scale Out Rule (CPU > 80%)
    rule {
      metric_trigger {
        metric_name        = "Percentage CPU"
        metric_resource_id = azurerm_orchestrated_virtual_machine_scale_set.vmss_terraform.id
        time_grain         = "PT1M"
        statistic          = "Average"
        time_window        = "PT2M"
        time_aggregation   = "Average"
        operator           = "GreaterThan"
        threshold          = 80
      }

      scale_action {
        direction = "Increase"
        type      = "ChangeCount"
        value     = "1"
        cooldown  = "PT2M"
      }
    }

  }
}
