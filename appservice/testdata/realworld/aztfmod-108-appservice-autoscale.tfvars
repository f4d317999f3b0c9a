# source: https://github.com/aztfmod/terraform-azurerm-caf/blob/1cc255be877bd52178c1d9fa287b959af2c38619/examples/webapps/appservice/108-appservice-autoscale/configurations.tfvars
# repo aztfmod/terraform-azurerm-caf, path examples/webapps/appservice/108-appservice-autoscale/configurations.tfvars, commit 1cc255be877bd52178c1d9fa287b959af2c38619 (excerpt: monitor_autoscale_settings, dimension comments omitted)
monitor_autoscale_settings = {
  mas1 = {
    name               = "mas1"
    enabled            = true
    resource_group_key = "rg1"

    target_resource = {
      # lz_key = ""
      # vmss_key = ""
      app_service_plan_key = "asp1"
    }

    profiles = {
      profile1 = {
        name = "profile1"

        capacity = {
          default = 1
          minimum = 1
          maximum = 3
        }

        rules = {
          rule1 = {
            metric_trigger = {

              # metric_name = "Percentage CPU" # vmss uses this
              # You can also choose your resource id manually, in case it is required
              # metric_resource_id = "/subscriptions/manual-id"
              metric_name      = "CpuPercentage"
              metric_namespace = "microsoft.web/serverfarms"
              time_grain       = "PT1M"
              statistic        = "Average"
              time_window      = "PT10M"
              time_aggregation = "Average"
              operator         = "GreaterThan"
              threshold        = 70
              # You can optionally fill the following fields

              # divide_by_instance_count = true
            }
            scale_action = {
              direction = "Increase"
              type      = "ChangeCount"
              value     = "1"
              cooldown  = "PT5M"
            }

          }
        }

      }
    }
  }
}
