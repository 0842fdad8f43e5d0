import './base.css';
import './sharing.css';
import './lifecycle.css';
import './suggest.css';
