// source: https://github.com/Azure/bicep/blob/7251b8d25ef7ac93e0c34ca628c4188db9c7c994/src/Bicep.LangServer.IntegrationTests/Completions/SnippetTemplates/res-app-insights-auto-scale-settings/main.combined.bicep
// repo Azure/bicep, path src/Bicep.LangServer.IntegrationTests/Completions/SnippetTemplates/res-app-insights-auto-scale-settings/main.combined.bicep, commit 7251b8d25ef7ac93e0c34ca628c4188db9c7c994 (excerpt: tags omitted)
resource appInsightsAutoScaleSettings 'Microsoft.Insights/autoscalesettings@2015-04-01' = {
  name: 'name'
  location: resourceGroup().location
  properties: {
    name: 'name'
    profiles: [
      {
        name: 'name'
        capacity: {
          minimum: 'minimum'
          maximum: 'maximum'
          default: 'default'
        }
        rules: [
          {
            metricTrigger: {
              metricName: 'name'
              metricResourceUri: '${resourceGroup().id}/providers/Microsoft.Web/serverfarms/appServicePlan'
              timeGrain: 'PT1M'
              statistic: 'Average'
              timeWindow: 'PT10M'
              timeAggregation: 'Average'
              operator: 'GreaterThan'
              threshold: 80
            }
            scaleAction: {
              direction: 'Increase'
              type: 'ChangeCount'
              value:  'value'
              cooldown: 'PT10M'
            }
          }
          {
            metricTrigger: {
              metricName: 'name'
              metricResourceUri: '${resourceGroup().id}/providers/Microsoft.Web/serverfarms/appServicePlan'
              timeGrain: 'PT1M'
              statistic: 'Average'
              timeWindow: 'PT1H'
              timeAggregation: 'Average'
              operator: 'LessThan'
              threshold: 60
            }
            scaleAction: {
              direction: 'Decrease'
              type: 'ChangeCount'
              value: 'value'
              cooldown: 'PT1H'
            }
          }
        ]
      }
    ]
    enabled: false
    targetResourceUri: '${resourceGroup().id}/providers/Microsoft.Web/serverfarms/appServicePlan'
  }
}
