// source: https://github.com/microsoft/onefuzz/blob/09235fc3d20e80369dcbca01e36356e8ebdbf422/src/deployment/bicep-templates/autoscale-settings.bicep
// repo microsoft/onefuzz, path src/deployment/bicep-templates/autoscale-settings.bicep, commit 09235fc3d20e80369dcbca01e36356e8ebdbf422 (excerpt: the autoscale resource)
resource autoscaleSettings 'Microsoft.Insights/autoscalesettings@2015-04-01' = {
  name: autoscale_name
  location: location 
  properties: {
    name: autoscale_name
    enabled: true
    targetResourceUri: server_farm_id
    targetResourceLocation: location
    notifications: []
    profiles:[
      {
        name: 'Auto scale condition'
        capacity: {
          default: '1'
          maximum: '20'
          minimum: '1'
        }
        rules: [
          {
            metricTrigger: {
              metricName: 'CpuPercentage' 
              metricResourceUri: server_farm_id
              operator: 'GreaterThanOrEqual'
              statistic: 'Average'
              threshold: 50
              timeAggregation: 'Average'
              timeGrain: 'PT1M'
              timeWindow: 'PT1M'
            }
            scaleAction: {
              cooldown: 'PT10M'
              direction: 'Increase'
              type: 'ChangeCount'
              value: '1'
            }
          }
          {
            metricTrigger: {
              metricName: 'CpuPercentage'
              metricResourceUri: server_farm_id
              operator: 'LessThan'
              statistic: 'Average'
              threshold: 25
              timeAggregation:'Average' 
              timeGrain: 'PT1M'
              timeWindow: 'PT1M'
            }
            scaleAction: {
              cooldown: 'PT5M'
              direction: 'Decrease'
              type: 'ChangeCount'
              value: '1'
            }
          }

        ]
      }
    ]
  }
}
