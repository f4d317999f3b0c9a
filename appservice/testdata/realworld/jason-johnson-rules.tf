# source: https://github.com/jason-johnson/test-lab-aca/blob/12f67ab540622801e94d7f4d22511ee236c3626c/infra/rules.tf
# repo jason-johnson/test-lab-aca, path infra/rules.tf, commit 12f67ab540622801e94d7f4d22511ee236c3626c
resource "azurerm_monitor_autoscale_setting" "fa" {
  name                = "faAutoscaleSetting"
  resource_group_name = azurerm_resource_group.main.name
  location            = azurerm_resource_group.main.location
  target_resource_id  = azurerm_service_plan.fa.id

  profile {
    name = "defaultProfile"

    capacity {
      default = 1
      minimum = 1
      maximum = 4
    }

    rule {
      metric_trigger {
        metric_name        = "ActiveMessages"
        metric_resource_id = azurerm_servicebus_namespace.main.id
        metric_namespace   = "microsoft.servicebus/namespaces"
        time_grain         = "PT1M"
        statistic          = "Average"
        time_window        = "PT10M"
        time_aggregation   = "Average"
        operator           = "GreaterThan"
        threshold          = 1000
      }

      scale_action {
        direction = "Increase"
        type      = "ChangeCount"
        value     = "1"
        cooldown  = "PT10M"
      }
    }
  }
}
