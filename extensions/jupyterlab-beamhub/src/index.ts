import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-beamhub:plugin',
  description: 'placeholder',
  autoStart: true,
  activate: (app: JupyterFrontEnd) => {
    console.log('beamhub', app.name);
  }
};
export default plugin;
