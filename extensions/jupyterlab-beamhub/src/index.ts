/**
 * beamhub's JupyterLab extension: the Catalogue panel, dataset pages, the selection
 * basket, commands, keyboard shortcuts and settings.
 */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  ICommandPalette,
  MainAreaWidget,
  Notification,
  WidgetTracker
} from '@jupyterlab/apputils';
import { ISettingRegistry } from '@jupyterlab/settingregistry';

import { CatalogueClient } from './api';
import { BasketModel } from './model/basket';
import { describeError } from './model/errors';
import { SearchModel } from './model/search';
import { SuggestModel } from './model/suggest';
import { VoteModel } from './model/votes';
import { copyCode, openInNotebook } from './notebooks';
import { sharingPlugin } from './sharing';
import { viewOnlyPlugin } from './viewonly';
import { templatesPlugin } from './templates';
import { lifecyclePlugin } from './lifecycle';
import { Facet, FACETS, IDataset } from './types';
import { BasketView } from './views/BasketView';
import { CataloguePanel } from './views/CataloguePanel';
import { DatasetView } from './views/DatasetView';
import { catalogueIcon } from './views/icons';

const PLUGIN_ID = 'jupyterlab-beamhub:plugin';

export namespace CommandIDs {
  export const openCatalogue = 'beamhub:open-catalogue';
  export const focusSearch = 'beamhub:focus-search';
  export const next = 'beamhub:next-result';
  export const previous = 'beamhub:previous-result';
  export const openResult = 'beamhub:open-result';
  export const openDataset = 'beamhub:open-dataset';
  export const like = 'beamhub:like';
  export const dislike = 'beamhub:dislike';
  export const clearVote = 'beamhub:clear-vote';
  export const toggleSelection = 'beamhub:toggle-selection';
  export const openSelection = 'beamhub:open-selection';
  export const openInNotebook = 'beamhub:open-in-notebook';
  export const copyCode = 'beamhub:copy-code';
  export const refresh = 'beamhub:refresh';
}

interface ISettings {
  pageSize: number;
  thumbnailSize: number;
  facets: Facet[];
  debounceMs: number;
  refreshSeconds: number;
}

const DEFAULTS: ISettings = {
  pageSize: 50,
  thumbnailSize: 56,
  facets: [...FACETS],
  debounceMs: 100,
  refreshSeconds: 30
};

function readSettings(settings: ISettingRegistry.ISettings | null): ISettings {
  if (!settings) {
    return DEFAULTS;
  }
  const get = <T>(key: string): T =>
    (settings.get(key).composite as T) ?? (DEFAULTS[key as keyof ISettings] as T);
  const shown = get<Partial<Record<Facet, boolean>>>('facets') ?? {};
  return {
    pageSize: get<number>('pageSize'),
    thumbnailSize: get<number>('thumbnailSize'),
    facets: FACETS.filter(f => shown[f] !== false),
    debounceMs: get<number>('debounceMs'),
    refreshSeconds: get<number>('refreshSeconds')
  };
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description:
    'Search the facility catalogue, preview, like or dislike datasets, and submit fog-filter selections.',
  autoStart: true,
  optional: [ICommandPalette, ISettingRegistry, ILayoutRestorer],
  activate: async (
    app: JupyterFrontEnd,
    palette: ICommandPalette | null,
    registry: ISettingRegistry | null,
    restorer: ILayoutRestorer | null
  ) => {
    let settings: ISettingRegistry.ISettings | null = null;
    try {
      settings = registry ? await registry.load(PLUGIN_ID) : null;
    } catch (error) {
      console.warn('beamhub: settings not loaded, using defaults', error);
    }
    let options = readSettings(settings);

    const api = new CatalogueClient();
    const votes = new VoteModel(api, message =>
      Notification.error(message, { autoClose: 8000 })
    );
    const search = new SearchModel(api, {
      pageSize: options.pageSize,
      debounceMs: options.debounceMs,
      refreshSeconds: options.refreshSeconds
    });
    search.fetched.connect((_, datasets) => votes.seed(datasets));
    const basket = new BasketModel(api);
    const suggest = new SuggestModel(api, search, { pageSize: options.pageSize });
    const { commands, shell } = app;

    const details = new WidgetTracker<MainAreaWidget<DatasetView>>({
      namespace: 'beamhub-dataset'
    });

    const openPid = (pid: string, initial?: IDataset) => {
      const open = details.find(widget => widget.content.pid === pid);
      if (open) {
        shell.activateById(open.id);
        return;
      }
      const content = new DatasetView(pid, viewOptions, initial);
      const widget = new MainAreaWidget({ content });
      // MainAreaWidget keeps its title (label, icon) in step with the view's own.
      widget.id = 'beamhub-dataset-' + encodeURIComponent(pid).replace(/%/g, '_');
      void details.add(widget);
      shell.add(widget, 'main');
      shell.activateById(widget.id);
    };
    const openDataset = (dataset: IDataset) => openPid(dataset.pid, dataset);
    const openPidsInNotebook = async (pids: string[]) => {
      try {
        const found = await Promise.all(pids.map(pid => api.dataset(pid)));
        await openInNotebook(app, api, found);
      } catch (error) {
        Notification.error(`The datasets could not be loaded: ${describeError(error)}`);
      }
    };
    const viewOptions = {
      api,
      votes,
      basket,
      suggest,
      openPid: (pid: string) => openPid(pid),
      openInNotebook: (datasets: IDataset[]) => void openInNotebook(app, api, datasets),
      copyCode,
      openPath: (relative: string) => void commands.execute('filebrowser:go-to-path', { path: relative })
    };

    let basketWidget: MainAreaWidget<BasketView> | null = null;
    const openBasket = () => {
      if (!basketWidget || basketWidget.isDisposed) {
        basketWidget = new MainAreaWidget({
          content: new BasketView({
            api,
            basket,
            suggest,
            openDataset,
            openPid: (pid: string) => openPid(pid),
            openPidsInNotebook: pids => void openPidsInNotebook(pids),
            thumbnailSize: options.thumbnailSize
          })
        });
        basketWidget.id = 'beamhub-selection-page'; // the view inside is #beamhub-selection
        shell.add(basketWidget, 'main');
      }
      shell.activateById(basketWidget.id);
    };

    const panel = new CataloguePanel({
      api,
      search,
      votes,
      basket,
      suggest,
      openDataset,
      openBasket,
      thumbnailSize: options.thumbnailSize,
      facets: options.facets
    });
    shell.add(panel, 'left', { rank: 150 });
    restorer?.add(panel, 'beamhub-catalogue');
    void app.restored.then(() => search.search());

    settings?.changed.connect(() => {
      options = readSettings(settings);
      search.setPageSize(options.pageSize);
      panel.configure({
        thumbnailSize: options.thumbnailSize,
        facets: options.facets
      });
    });

    /** The dataset a command acts on: the focused dataset page, else the current result. */
    const target = (): IDataset | null => {
      const current = shell.currentWidget;
      if (current && details.has(current) && panel.node.contains(document.activeElement) === false) {
        const pid = (current as MainAreaWidget<DatasetView>).content.pid;
        return search.items.find(d => d.pid === pid) ?? ({ pid, datasetName: pid } as IDataset);
      }
      return search.currentItem;
    };
    const hasTarget = () => target() !== null;
    const withTarget = (act: (dataset: IDataset) => unknown) => () => {
      const dataset = target();
      if (dataset) {
        return act(dataset);
      }
    };

    const showSearch = () => {
      shell.activateById(panel.id);
      panel.focusSearch();
    };
    commands.addCommand(CommandIDs.openCatalogue, {
      label: 'Open the Catalogue',
      caption: 'Search the facility catalogue',
      icon: catalogueIcon,
      execute: showSearch
    });
    commands.addCommand(CommandIDs.focusSearch, {
      label: 'Search the Catalogue',
      execute: showSearch
    });
    commands.addCommand(CommandIDs.next, {
      label: 'Next Search Result',
      execute: () => search.move(1)
    });
    commands.addCommand(CommandIDs.previous, {
      label: 'Previous Search Result',
      execute: () => search.move(-1)
    });
    commands.addCommand(CommandIDs.openResult, {
      label: 'Open the Current Dataset',
      isEnabled: () => search.currentItem !== null,
      execute: () => {
        const dataset = search.currentItem;
        if (dataset) {
          openDataset(dataset);
        }
      }
    });
    commands.addCommand(CommandIDs.openDataset, {
      label: args => (args.pid ? `Open Dataset ${args.pid}` : 'Open Dataset'),
      execute: args => openPid(String(args.pid))
    });
    commands.addCommand(CommandIDs.like, {
      label: 'Like the Current Dataset',
      isEnabled: hasTarget,
      execute: withTarget(dataset => votes.toggle(dataset, 'like'))
    });
    commands.addCommand(CommandIDs.dislike, {
      label: 'Dislike the Current Dataset',
      isEnabled: hasTarget,
      execute: withTarget(dataset => votes.toggle(dataset, 'dislike'))
    });
    commands.addCommand(CommandIDs.clearVote, {
      label: 'Clear My Vote on the Current Dataset',
      isEnabled: hasTarget,
      execute: withTarget(dataset => votes.vote(dataset, null))
    });
    commands.addCommand(CommandIDs.toggleSelection, {
      label: 'Add to or Remove from the Selection',
      isEnabled: hasTarget,
      execute: withTarget(dataset => basket.toggle(dataset))
    });
    commands.addCommand(CommandIDs.openSelection, {
      label: 'Open the Selection (Fog Filter)',
      execute: openBasket
    });
    commands.addCommand(CommandIDs.openInNotebook, {
      label: 'Open the Current Dataset in a Notebook',
      isEnabled: hasTarget,
      execute: withTarget(dataset => openInNotebook(app, api, [dataset]))
    });
    commands.addCommand(CommandIDs.copyCode, {
      label: 'Copy Code to Load the Current Dataset',
      isEnabled: hasTarget,
      execute: withTarget(dataset => copyCode(dataset))
    });
    commands.addCommand(CommandIDs.refresh, {
      label: 'Refresh the Catalogue Search',
      execute: () => search.search()
    });

    if (palette) {
      const category = 'Catalogue';
      for (const command of [
        CommandIDs.openCatalogue,
        CommandIDs.focusSearch,
        CommandIDs.refresh,
        CommandIDs.next,
        CommandIDs.previous,
        CommandIDs.openResult,
        CommandIDs.like,
        CommandIDs.dislike,
        CommandIDs.clearVote,
        CommandIDs.toggleSelection,
        CommandIDs.openSelection,
        CommandIDs.openInNotebook,
        CommandIDs.copyCode
      ]) {
        palette.addItem({ command, category });
      }
    }
  }
};

export default [plugin, sharingPlugin, viewOnlyPlugin, lifecyclePlugin, templatesPlugin];
